/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: what
 * no value the agent types may carry into a file, a summary or a log line, since any of
 * them can start a new line there.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
export const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, 'g');
