import {
  type ASTVisitor, type FieldNode, type FragmentDefinitionNode, getNamedType, getNullableType, type GraphQLCompositeType, GraphQLError, type GraphQLSchema, isListType,
  isObjectType, isInterfaceType, Kind, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext,
} from 'graphql';

export interface QueryLimits {
  /** Deepest nesting of fields (introspection fields aside): 7 levels is refused at 6. */
  maxDepth: number;
  /** Field selections in one operation, every alias counted: no 10,000-alias queries. */
  maxFields: number;
  /**
   * Fields weighted by the page size of the lists they sit in: a field with `first` multiplies the cost of its list
   * fields (its rows) by the page, at most the field's own largest page (`extensions.maxPage`, else `maxPage`).
   */
  maxCost: number;
  maxPage: number;
  /** Aliased fields in one operation (fragments counted where spread): aliases multiply work at no cost in text. */
  maxAliases: number;
  /** Query text in bytes, checked before parsing (QuerySizeMiddleware): a 900 KB comment is never lexed. */
  maxBytes: number;
  /** Lexical tokens (graphql-js `maxTokens`, comments not counted): parsing stops there. */
  maxTokens: number;
}

export const QUERY_LIMITS: QueryLimits = { maxDepth: 6, maxFields: 500, maxCost: 20_000, maxPage: 500, maxAliases: 30, maxBytes: 20 * 1024, maxTokens: 2_000 };

interface Measure {
  depth: number;
  fields: number;
  cost: number;
  /** The part of `cost` in list fields (a page's rows): what a page size multiplies. */
  listCost: number;
  aliases: number;
}

/** What the walk knows: the schema (types of fields) and the operation's fragments. */
interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  limits: QueryLimits;
}

/**
 * A validation rule refusing operations that are too deep, too wide or too costly, before anything runs. The
 * error's `extensions.limit` names which (QUERY_TOO_DEEP, QUERY_TOO_LARGE, QUERY_TOO_COSTLY). Pure.
 */
export function queryLimitsRule(limits: QueryLimits = QUERY_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    const operations: OperationDefinitionNode[] = [];
    return {
      FragmentDefinition(node) {
        fragments.set(node.name.value, node);
      },
      OperationDefinition(node) {
        operations.push(node);
      },
      Document: {
        leave() {
          const walk = { schema: context.getSchema(), fragments, limits };
          for (const op of operations) {
            const root = op.operation === 'query' ? walk.schema.getQueryType() : op.operation === 'mutation' ? walk.schema.getMutationType() : walk.schema.getSubscriptionType();
            const m = measure(op.selectionSet, root ?? undefined, walk, new Set());
            const report = (limit: string, message: string) => context.reportError(new GraphQLError(message, { nodes: [op], extensions: { limit } }));
            if (m.depth > limits.maxDepth) report('QUERY_TOO_DEEP', `查询嵌套 ${m.depth} 层，超过上限 ${limits.maxDepth} 层`);
            else if (m.aliases > limits.maxAliases) report('QUERY_TOO_MANY_ALIASES', `查询含 ${m.aliases} 个别名，超过上限 ${limits.maxAliases} 个`);
            else if (m.fields > limits.maxFields) report('QUERY_TOO_LARGE', `查询含 ${m.fields} 个字段（含别名），超过上限 ${limits.maxFields} 个`);
            else if (m.cost > limits.maxCost) report('QUERY_TOO_COSTLY', `查询的估算代价 ${m.cost} 超过上限 ${limits.maxCost}，请减少每页行数或字段`);
          }
        },
      },
    };
  };
}

function measure(set: SelectionSetNode, type: GraphQLCompositeType | undefined, walk: Walk, seen: Set<string>): Measure {
  const total: Measure = { depth: 0, fields: 0, cost: 0, listCost: 0, aliases: 0 };
  const add = (m: Measure) => {
    total.depth = Math.max(total.depth, m.depth);
    total.fields += m.fields;
    total.cost += m.cost;
    total.listCost += m.listCost;
    total.aliases += m.aliases;
  };
  const typeNamed = (name: string | undefined) => (name ? (walk.schema.getType(name) as GraphQLCompositeType | undefined) : type);
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) add(field(selection, type, walk, seen));
    else if (selection.kind === Kind.INLINE_FRAGMENT) add(measure(selection.selectionSet, typeNamed(selection.typeCondition?.name.value), walk, seen));
    else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (fragment && !seen.has(name)) add(measure(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value), walk, new Set([...seen, name])));
    }
  }
  return total;
}

function field(node: FieldNode, parent: GraphQLCompositeType | undefined, walk: Walk, seen: Set<string>): Measure {
  // Introspection (__schema, __type) is allowed or not as a whole (introspectionPlugin), not measured.
  const alias = node.alias ? 1 : 0;
  if (node.name.value.startsWith('__')) return { depth: 0, fields: 1, cost: 1, listCost: 0, aliases: alias };
  // An unknown field is reported by graphql-js's own rules; here it weighs as a list, as heavy as it could be.
  const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
  const type = def && (getNamedType(def.type) as GraphQLCompositeType);
  const inner = node.selectionSet ? measure(node.selectionSet, type, walk, seen) : { depth: 0, fields: 0, cost: 0, listCost: 0, aliases: 0 };
  const first = node.arguments?.find((a) => a.name.value === 'first')?.value;
  // A page size given as a literal counts as itself; as a variable, as the field's largest page. Outside its range
  // the resolver refuses it (pageSize), so clamping here only keeps the estimate finite.
  const maxPage = Number(def?.extensions?.maxPage ?? walk.limits.maxPage);
  const page = first?.kind === Kind.INT ? Math.min(Math.max(Number(first.value), 1), maxPage) : first ? maxPage : 1;
  // The page multiplies the rows: a list field's whole selection, or a page object's list fields (not its title or pageInfo).
  const list = !def || isListType(getNullableType(def.type));
  const cost = 1 + inner.cost + (list ? inner.cost : inner.listCost) * (page - 1);
  return {
    depth: inner.depth + 1,
    fields: inner.fields + 1,
    cost,
    listCost: list ? cost : 0,
    aliases: inner.aliases + alias,
  };
}
