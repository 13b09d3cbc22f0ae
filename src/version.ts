/** Kept equal to package.json's version by a test (test/docs.test.ts). */
export const VERSION = '1.0.0';
