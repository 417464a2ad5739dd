import { memberPath, pathMergeExpression, pathMergeUpdate, toKeyRemovalsAndValues } from '../../../src/storage/dialects/payload-dialect';

/**
 * The SQL builders of the atomic payload merge: an update splits into keys to delete (`null`)
 * and values to set whole; each key becomes a JSON path that reads back to the same key (dots,
 * quotes, spaces); the merge expression nests remove-then-set calls in chunks that stay under
 * SQLite's function-argument limit, with every key and value a bound parameter, never SQL text.
 */
const SQLITE = { remove: 'json_remove', set: 'json_set', asJson: (p: string) => `json(${p})`, bytes: (e: string) => `length(${e})` };

describe('payload merge SQL builders', () => {
  it('splits an update into removed keys and values, skipping undefined', () => {
    expect(toKeyRemovalsAndValues({ a: null, b: { c: null }, d: undefined, e: 0 })).toEqual({ removedKeys: ['a'], values: { b: { c: null }, e: 0 } });
  });

  it('quotes every key as a JSON string member path', () => {
    expect(memberPath('plain')).toBe('$."plain"');
    expect(memberPath('a.b')).toBe('$."a.b"');
    expect(memberPath('say "hi"')).toBe('$."say \\"hi\\""');
    expect(memberPath("x') OR 1=1 --")).toBe('$."x\') OR 1=1 --"');
  });

  it('builds remove-then-set with placeholders only; the values travel as JSON text parameters', () => {
    const { sql, params } = pathMergeExpression('access_token_payload', { gone: null, role: ['admin'], n: 1 }, SQLITE);
    expect(sql).toBe('json_set(json_remove(access_token_payload, ?), ?, json(?), ?, json(?))');
    expect(params).toEqual(['$."gone"', '$."role"', '["admin"]', '$."n"', '1']);
  });

  it('leaves the column alone for an empty update', () => {
    expect(pathMergeExpression('col', {}, SQLITE)).toEqual({ sql: 'col', params: [] });
  });

  it('chunks long updates into calls of at most 50 members (SQLite allows 127 arguments a call)', () => {
    const update = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]));
    const { sql, params } = pathMergeExpression('col', update, SQLITE);
    const members = (n: number) => ', ?, json(?)'.repeat(n);
    expect(sql).toBe(`json_set(json_set(json_set(col${members(50)})${members(50)})${members(20)})`);
    expect(params).toHaveLength(240);
    expect(params.slice(0, 2)).toEqual(['$."k0"', '0']);
  });

  it('uses the dialect names and JSON marker it is given (MySQL/MariaDB)', () => {
    const mysql = { remove: 'JSON_REMOVE', set: 'JSON_SET', asJson: (p: string) => `JSON_EXTRACT(${p}, '$')`, bytes: (e: string) => `LENGTH(${e})` };
    expect(pathMergeExpression('c', { a: 1, b: null }, mysql).sql).toBe("JSON_SET(JSON_REMOVE(c, ?), ?, JSON_EXTRACT(?, '$'))");
  });
});

describe('pathMergeUpdate', () => {
  it('one UPDATE: the merge expression, the version bump, the given row filter and its parameters after the merge parameters', () => {
    const { sql, params } = pathMergeUpdate('"sessions"', SQLITE, { a: 1 }, 'session_handle = ? AND expires_at > ?', ['h', 5], ' RETURNING payload_version');
    expect(sql.replace(/\s+/g, ' ')).toBe(
      'UPDATE "sessions" SET access_token_payload = json_set(access_token_payload, ?, json(?)), payload_version = payload_version + 1 WHERE session_handle = ? AND expires_at > ? RETURNING payload_version',
    );
    expect(params).toEqual(['$."a"', '1', 'h', 5]);
  });
});
