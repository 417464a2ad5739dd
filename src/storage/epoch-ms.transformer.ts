import type { ValueTransformer } from 'typeorm';

/** `bigint` columns hold epoch milliseconds; pg and mysql2 return them as strings, SQLite as numbers. */
export const epochMsTransformer: ValueTransformer = {
  to: (value: number | undefined | null) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
