import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, GraphQLError, type DocumentNode, Kind, visit } from 'graphql';
import type { GqlContext } from './reveal-audit.plugin.js';

export const INTROSPECTION_MESSAGE = '未开放接口内省（introspection）：须登录，且服务器配置 GRAPHQL_INTROSPECTION=true';

/** Whether a document asks for the schema (`__schema`, `__type`; `__typename` is an ordinary field). */
export function asksForSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Introspection only for a logged-in account, and only where GRAPHQL_INTROSPECTION allows it: an anonymous caller
 * never learns the schema, whatever the database (the SQLite demo default is on). Apollo's own `introspection`
 * flag still refuses everyone when the setting is off; this adds the viewer, which validation rules cannot see.
 */
export function introspectionPlugin(allowed: boolean): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document }) {
          if ((!allowed || !contextValue.viewer) && asksForSchema(document)) {
            throw new GraphQLError(INTROSPECTION_MESSAGE, { extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 400 } } });
          }
        },
      };
    },
  };
}
