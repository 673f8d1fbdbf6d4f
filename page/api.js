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

/**
 * Runs a query or mutation; answers its data or throws an ApiError with the server's stable code.
 * A save passes its Idempotency-Key: the server answers a retry of the same request with the first answer.
 * @param {{ idempotencyKey?: string }} [o]
 */
export async function gql(query, variables = {}, { idempotencyKey } = {}) {
  const headers = { 'Content-Type': 'application/json', 'X-Ybt-Source': 'form' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let res;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: requestBody(query, variables) });
  } catch {
    throw new ApiError('NETWORK', '网络中断，连不上服务器');
  }
  // A proxy's or a crashed server's HTML error page is not JSON: the status still says what happened.
  const body = await res.json().catch(() => null);
  const error = body?.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED' && token) {
      // The token expired or was revoked: back to the login screen, whatever the page was doing.
      session.clear();
      window.dispatchEvent(new CustomEvent('ybt:logged-out', { detail: '登录已过期，请重新登录' }));
    }
    const retryAfter = error.extensions?.retryAfterSeconds ?? (Number(res.headers.get('Retry-After')) || undefined);
    throw new ApiError(code, error.message, { ...error.extensions, retryAfterSeconds: retryAfter });
  }
  if (!res.ok || !body?.data) throw new ApiError('HTTP', `服务器出错（HTTP ${res.status}）`, { status: res.status });
  return body.data;
}

/** The exact body gql sends: a retry is "the same request" when this string is the same. */
const requestBody = (query, variables) => JSON.stringify({ query, variables });

/** A random key; crypto.randomUUID exists only on https and localhost, a plain-http LAN address gets the same from getRandomValues. */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Idempotency-Key for sending this request: the kept one if it was made for this very request (a retry after
 * a failure or a new login), a new one otherwise (values changed: the server refuses a key reused for another body).
 * @param {{ key: string, body: string } | null | undefined} kept
 * @returns {{ key: string, body: string }}  kept with the draft until the save succeeds
 */
export function saveKey(kept, query, variables) {
  const body = requestBody(query, variables);
  return kept?.body === body ? kept : { key: newKey(), body };
}

/** What went wrong with the connection or the server (not with the request): the same request may succeed later. */
const OUTAGES = {
  NETWORK: () => '网络中断，连不上服务器',
  HTTP: (e) => `服务器出错（HTTP ${e.extensions.status}）`,
  INTERNAL_SERVER_ERROR: (e) => `服务器出错${e.extensions.requestId ? `（错误编号 ${e.extensions.requestId}）` : ''}`,
  DATABASE_UNAVAILABLE: () => '服务暂不可用（数据库无法连接）',
  DATABASE_BUSY: () => '数据库正忙',
  STORAGE_FULL: () => '服务器存储空间已满，请联系管理员',
  STORAGE_ERROR: () => '服务器读写出错',
  IDEMPOTENCY_KEY_IN_PROGRESS: () => '上一次保存还在处理中',
  RATE_LIMITED: () => '操作太频繁',
};

/** Whether the request may simply be sent again later (the values are kept and the same key reused). */
export const isOutage = (e) => e instanceof ApiError && e.code in OUTAGES;

// A rate limit's wait is exact (the server's retryAfterSeconds, as in its message); an outage's is a guess.
const wait = (e) => (e.extensions.retryAfterSeconds ? `${e.code === 'RATE_LIMITED' ? '' : '约 '}${e.extensions.retryAfterSeconds} 秒后` : '稍后');

/** A message for the person in front of the page, whatever went wrong. */
export function errorText(e) {
  if (!(e instanceof ApiError)) return `出错了：${e?.message ?? e}`;
  if (isOutage(e)) return `${OUTAGES[e.code](e)}，请${wait(e)}再试`;
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return ''; // the login screen says it already
    case 'FORBIDDEN':
      return `无权进行此操作：${e.message}`;
    case 'NOT_FOUND':
      return `未找到：${e.message}`;
    case 'IDEMPOTENCY_KEY_REUSED':
      return '这次提交与上一次不同，未保存；请核对后再点保存';
    default:
      return e.message;
  }
}

/** After a failed save: whether anything was saved, and that what was typed is still there. */
export function saveFailedText(e) {
  if (!isOutage(e)) return errorText(e);
  const reason = OUTAGES[e.code](e);
  const again = `请${wait(e)}再点保存`;
  if (e.code === 'IDEMPOTENCY_KEY_IN_PROGRESS') return `${reason}，${again}（不会重复保存）`;
  // No answer, or not the server's: the save may have gone through; pressing again with the same key is safe.
  if (e.code === 'NETWORK' || e.code === 'HTTP') return `${reason}，不确定是否已保存；您填写的内容已保留，${again}（不会重复保存）`;
  return `${reason}，未保存；您填写的内容已保留，${again}`;
}

/**
 * Whether a failed save keeps its key: yes when its outcome is unknown or it was not run (the retry must be the
 * same request); no after a definite answer (the server would replay it for 24 hours, even once the cause is fixed).
 */
export const keepsKey = (e) => isOutage(e) || e?.code === 'UNAUTHENTICATED';
