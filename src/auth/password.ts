import argon2 from 'argon2';

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): OWASP's recommended password hash.
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed stored hash is a failed login, not a crash
  }
}

/** A password people can keep: at least 10 characters with letters and digits. Returns the problem, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return '密码至少 10 个字符';
  if (password.length > 128) return '密码最多 128 个字符';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码须同时包含字母和数字';
  return null;
}

/** Verifying against this when the user does not exist takes as long as a real check: no user-name probing by timing. */
export const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$0ubatlBZkiAdxBDwqfCwiw$oCDKEdYfnsmVuOYIZa9n8g3m+vv9JzBn8UGx8seMNKw';
