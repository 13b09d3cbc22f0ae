/**
 * What Node was started with (its flags and NODE_OPTIONS): the runtime policies beside
 * this file leave V8 alone when the user had their own say there.
 */
export function nodeStartFlags(): string {
  return `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
}

/**
 * Matches any of the named Node flags in `nodeStartFlags()`. A name is a pattern whose
 * `-` also matches `_`, as Node accepts both spellings.
 */
export function anyNodeFlag(names: string[]): RegExp {
  return new RegExp(names.map((name) => `--${name.replaceAll('-', '[-_]')}\\b`).join('|'));
}
