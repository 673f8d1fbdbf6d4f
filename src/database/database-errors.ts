/** Recognises a unique-constraint violation from either driver, and which constraint it was. */
export function uniqueViolation(error: unknown): { constraint: string } | null {
  const e = error as { code?: string; constraint?: string; message?: string; driverError?: unknown } | null;
  if (!e) return null;
  if (e.driverError && e.driverError !== e) return uniqueViolation(e.driverError);
  if (e.code === '23505') return { constraint: e.constraint ?? '' };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // SQLite names the columns, not the index: "UNIQUE constraint failed: residents.id_number"
    return { constraint: /failed: (.*)$/.exec(e.message ?? '')?.[1] ?? '' };
  }
  return null;
}
