/**
 * Builds a WHERE clause from fixed SQL fragments and `$n` parameters: fragments are code,
 * values are always parameters. `add` numbers each value's placeholder.
 */
export function whereBuilder(first: string, firstValue: unknown) {
  const clauses = [first];
  const params: unknown[] = [firstValue];
  return {
    params,
    add(sql: (placeholder: string) => string, value: unknown) {
      params.push(value);
      clauses.push(sql(`$${params.length}`));
    },
    /** A parameter not tied to a clause (LIMIT); returns its placeholder. */
    param(value: unknown): string {
      params.push(value);
      return `$${params.length}`;
    },
    sql: () => clauses.join(' AND '),
  };
}
