/**
 * undici's connection Pool and its request API, and nothing else of undici (issue 23).
 *
 * undici's index also loads fetch, WebSocket, its caches, proxies and mocks, none of
 * which the server uses: 1.1 MB of bundled source, against 0.5 MB for these, and the
 * module-level objects of all of them. What the index does besides re-exporting is to
 * give every dispatcher the request API; so does this. Loaded with the first request
 * (binance/client.ts).
 */
import api from 'undici/lib/api/index.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import Pool from 'undici/lib/dispatcher/pool.js';

Object.assign(Dispatcher.prototype, api);

export { Pool };
