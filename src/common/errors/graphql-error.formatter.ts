import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { INTROSPECTION_MESSAGE } from '../../access/introspection.plugin.js';
import { QUERY_LIMITS } from '../../access/query-limits.js';
import { infrastructureError } from '../../database/database-errors.js';
import { DomainError } from './domain-errors.js';

const logger = new Logger('GraphQL');

const PROTOCOL_MESSAGES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: '请求语法错误',
  GRAPHQL_VALIDATION_FAILED: '请求不符合接口定义',
  BAD_USER_INPUT: '请求参数不符合接口定义',
  BAD_REQUEST: '请求格式错误',
  PERSISTED_QUERY_NOT_FOUND: '未找到持久化查询',
  PERSISTED_QUERY_NOT_SUPPORTED: '不支持持久化查询',
  OPERATION_RESOLUTION_FAILURE: '无法确定要执行的操作',
};

/**
 * The one place errors become GraphQL errors: domain errors keep their code, Chinese message and details;
 * protocol errors get a Chinese message; anything else is logged and reaches the client only as a request id,
 * never as a stack trace or SQL.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // A storage failure (lost database, full disk) is an answer too: 503 with its code (statusPlugin sets the status).
  const original = unwrapped instanceof DomainError ? unwrapped : (infrastructureError(unwrapped) ?? unwrapped);
  const where = { ...(formatted.path ? { path: formatted.path } : {}), ...(formatted.locations ? { locations: formatted.locations } : {}) };
  if (original instanceof DomainError) {
    return { message: original.message, ...where, extensions: { code: original.code, ...original.details() } };
  }
  // Query limits (depth, size, cost) are validation errors carrying their own code.
  const limit = formatted.extensions?.limit;
  if (typeof limit === 'string') return { message: formatted.message, ...where, extensions: { code: limit } };
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  // graphql-js stops parsing at QUERY_LIMITS.maxTokens with a syntax error; it is the query's size, not its syntax.
  if (code === 'GRAPHQL_PARSE_FAILED' && /Document contains more th\w* \d+ tokens/.test(formatted.message)) {
    return { message: `查询超过 ${QUERY_LIMITS.maxTokens} 个词法单元（token），请拆分查询`, extensions: { code: 'QUERY_TOO_LARGE' } };
  }
  // Refused introspection, by introspectionPlugin (anonymous) or Apollo's own rule (GRAPHQL_INTROSPECTION off): one answer.
  if (code === 'INTROSPECTION_DISABLED' || (code === 'GRAPHQL_VALIDATION_FAILED' && /introspection is not allowed/i.test(formatted.message))) {
    return { message: INTROSPECTION_MESSAGE, ...where, extensions: { code: 'INTROSPECTION_DISABLED' } };
  }
  if (code && PROTOCOL_MESSAGES[code]) {
    return { message: `${PROTOCOL_MESSAGES[code]}：${withoutSuggestions(formatted.message)}`, ...where, extensions: { code } };
  }
  const requestId = randomUUID();
  // The log line is scrubbed of ID and phone numbers by the app's logger (ScrubbingLogger).
  logger.error(`请求 ${requestId} 出现未处理的错误：${original instanceof Error ? original.stack : String(original)}`);
  return {
    message: `服务器内部错误，请联系管理员（错误编号 ${requestId}）`,
    ...where,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}

/**
 * graphql-js suggests names close to a mistyped one ("Did you mean \"resident\"?"), which spells out the schema
 * to whoever guesses; introspection decides who may see the schema, so suggestions go, for everyone.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}
