/** The major of the @nestjs/core the suite runs on (11, or 12 on the Nest 12 leg), where Nest itself behaves differently. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const NEST_MAJOR = Number((require('@nestjs/core/package.json') as { version: string }).version.split('.')[0]);
