/**
 * Sets one server entry in a client's JSON (or JSONC) configuration by editing the
 * text, never by re-serialising it: every byte outside the entry's own fields stays
 * as it was (other servers, comments, key order, indentation, line endings).
 *
 * jsonc-parser (the VS Code team's parser) gives the tree with offsets and the parse
 * errors; the edits are our own, because its `modify` re-formats the lines around an
 * insertion, which can rewrite a neighbouring entry written on one line.
 */
import * as jsonc from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';

export class ConfigFileError extends Error {}

export interface EntryEdit {
  /** The new text (equal to the old one when nothing changed). */
  text: string;
  /** What happened to the entry. */
  action: 'created' | 'added' | 'updated' | 'unchanged';
  /** The entry's fields before (when it existed). */
  before?: Record<string, unknown>;
}

interface Layout {
  unit: string;
  eol: string;
}

function layoutOf(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text);
  return { eol, unit: indented ? (indented[1].startsWith('\t') ? '\t' : indented[1]) : '  ' };
}

/** JSON text of a value whose continuation lines start at `indent`. */
function pretty(value: unknown, indent: string, l: Layout): string {
  return JSON.stringify(value, null, l.unit)
    .split('\n')
    .join(l.eol + indent);
}

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const lineEnd = (text: string, offset: number) => {
  const n = text.indexOf('\n', offset);
  const end = n < 0 ? text.length : n;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
};

/** The leading whitespace of the line where `offset` is, when only whitespace precedes it there. */
function ownLineIndent(text: string, offset: number): string | undefined {
  const before = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The leading whitespace of the line where `offset` is. */
const lineIndent = (text: string, offset: number) => /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];

/** Where a property of object `obj` starts: one unit deeper than the line of its "{". */
const innerIndent = (text: string, obj: Node, l: Layout) => lineIndent(text, obj.offset) + l.unit;

interface Edit {
  offset: number;
  length: number;
  content: string;
}

/** The edits that add property `key: value` to object node `obj`, leaving every existing byte in place. */
function insertProperty(text: string, obj: Node, key: string, value: unknown, l: Layout): Edit[] {
  const props = obj.children ?? [];
  if (props.length === 0) {
    const indent = innerIndent(text, obj, l);
    const closing = lineIndent(text, obj.offset);
    // Right after "{": anything inside (whitespace, comments) stays after the new property.
    const inner = text.slice(obj.offset + 1, obj.offset + obj.length - 1);
    const tail = /^\s*$/.test(inner)
      ? { length: inner.length, content: `${l.eol}${closing}` }
      : { length: 0, content: '' };
    return [
      {
        offset: obj.offset + 1,
        length: tail.length,
        content: `${l.eol}${indent}${JSON.stringify(key)}: ${pretty(value, indent, l)}${tail.content}`,
      },
    ];
  }
  const last = props[props.length - 1];
  const end = last.offset + last.length;
  const indent = ownLineIndent(text, last.offset) ?? innerIndent(text, obj, l);
  const property = `${JSON.stringify(key)}: ${pretty(value, indent, l)}`;
  // After the last property, the rest of its line may hold a trailing comma and a comment:
  // the new property then goes on the next line, so the comment stays beside its entry.
  const rest = text.slice(end, lineEnd(text, end));
  const m = /^([ \t]*)(,?)([ \t]*(\/\/.*)?)$/.exec(rest);
  if (m) {
    const hasComma = m[2] === ',';
    const at = lineEnd(text, end);
    return [
      ...(hasComma ? [] : [{ offset: end, length: 0, content: ',' }]),
      { offset: at, length: 0, content: `${l.eol}${indent}${property}${hasComma ? ',' : ''}` },
    ];
  }
  return [{ offset: end, length: 0, content: `,${l.eol}${indent}${property}` }];
}

function apply(text: string, edits: Edit[]): string {
  let out = text;
  // From the end; at one offset the later edit first, so that the earlier one lands before it.
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.offset - a.e.offset || b.i - a.i);
  for (const { e } of order) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

function parse(text: string, jsoncAllowed: boolean, where: string): Node {
  const errors: ParseError[] = [];
  const root = jsonc.parseTree(text, errors, {
    allowTrailingComma: jsoncAllowed,
    disallowComments: !jsoncAllowed,
    allowEmptyContent: false,
  });
  if (errors.length || !root) {
    const e = errors[0];
    const at = e ? text.slice(0, e.offset).split('\n') : [''];
    const pos = e ? ` at line ${at.length}, column ${at[at.length - 1].length + 1}` : '';
    throw new ConfigFileError(
      `${where} is not valid JSON${jsoncAllowed ? ' (comments allowed)' : ''}: ` +
        `${e ? jsonc.printParseErrorCode(e.error) : 'empty'}${pos}.`,
    );
  }
  if (root.type !== 'object') throw new ConfigFileError(`${where} does not hold a JSON object.`);
  return root;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Sets `fields` of server `name` under `serversKey` (e.g. mcpServers.binance-margin.command):
 * adds the entry, or updates only the fields that differ; other fields of the entry
 * (env, disabled, …) are kept. `text` undefined or blank: a new file.
 */
export function setServerEntry(
  text: string | undefined,
  opts: { serversKey: string; name: string; fields: Record<string, unknown>; jsonc: boolean; where: string },
): EntryEdit {
  const { serversKey, name, fields } = opts;
  if (text === undefined || text.trim() === '') {
    return { text: `${JSON.stringify({ [serversKey]: { [name]: fields } }, null, 2)}\n`, action: 'created' };
  }
  const l = layoutOf(text);
  let current = text;
  let root = parse(current, opts.jsonc, opts.where);
  const servers = jsonc.findNodeAtLocation(root, [serversKey]);
  if (servers && servers.type !== 'object')
    throw new ConfigFileError(`${opts.where}: "${serversKey}" is not an object.`);
  if (!servers)
    return { text: apply(current, insertProperty(current, root, serversKey, { [name]: fields }, l)), action: 'added' };
  const entry = jsonc.findNodeAtLocation(root, [serversKey, name]);
  if (!entry) return { text: apply(current, insertProperty(current, servers, name, fields, l)), action: 'added' };
  if (entry.type !== 'object')
    throw new ConfigFileError(`${opts.where}: the entry "${name}" under "${serversKey}" is not an object.`);
  const before = JSON.parse(JSON.stringify(jsonc.getNodeValue(entry))) as Record<string, unknown>;
  // One field at a time, re-parsing in between, so that each edit sees true offsets.
  for (const [key, value] of Object.entries(fields)) {
    const node = jsonc.findNodeAtLocation(root, [serversKey, name, key]);
    if (node && sameValue(jsonc.getNodeValue(node), value)) continue;
    const obj = jsonc.findNodeAtLocation(root, [serversKey, name])!;
    if (node) {
      const indent = lineIndent(current, node.parent!.offset);
      current = apply(current, [{ offset: node.offset, length: node.length, content: pretty(value, indent, l) }]);
    } else current = apply(current, insertProperty(current, obj, key, value, l));
    root = parse(current, opts.jsonc, opts.where);
  }
  return { text: current, action: current === text ? 'unchanged' : 'updated', before };
}
