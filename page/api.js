// The GraphQL client: the login token in this tab's sessionStorage (the GraphiQL page at /graphql reads it too).

const TOKEN_KEY = 'ybt.token';
const ACCOUNT_KEY = 'ybt.account';

export class ApiError extends Error {
  /** @param {string} code  @param {string} message  @param {Record<string, any>} [extensions] */
  constructor(code, message, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  account: () => JSON.parse(sessionStorage.getItem(ACCOUNT_KEY) ?? 'null'),
  save(token, account) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify(account));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ACCOUNT_KEY);
  },
};

/** Runs a query or mutation; answers its data or throws an ApiError with the server's stable code. */
export async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', 'X-Ybt-Source': 'form' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('NETWORK', '无法连接服务器，请检查网络后重试');
  }
  const body = await res.json().catch(() => null);
  const error = body?.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED' && token) {
      // The token expired or was revoked: back to the login screen, whatever the page was doing.
      session.clear();
      window.dispatchEvent(new CustomEvent('ybt:logged-out', { detail: '登录已过期，请重新登录' }));
    }
    throw new ApiError(code, error.message, error.extensions ?? {});
  }
  if (!res.ok || !body?.data) throw new ApiError('HTTP', `服务器错误（HTTP ${res.status}），请稍后重试`);
  return body.data;
}

/** A message for the person in front of the page, whatever went wrong. */
export function errorText(e) {
  if (!(e instanceof ApiError)) return `出错了：${e?.message ?? e}`;
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return ''; // the login screen says it already
    case 'RATE_LIMITED':
      return `操作太频繁，请 ${e.extensions.retryAfterSeconds ?? 60} 秒后再试`;
    case 'FORBIDDEN':
      return `无权进行此操作：${e.message}`;
    case 'NOT_FOUND':
      return `未找到：${e.message}`;
    default:
      return e.message;
  }
}
