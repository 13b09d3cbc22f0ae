/**
 * What Node was started with (its flags and NODE_OPTIONS): the runtime policies beside
 * this file leave V8 alone when the user had their own say there.
 */
export function nodeStartFlags(): string {
  return `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
}
