import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { ViewSelection } from './views.service.js';

type Info = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/**
 * Names of the fields a query selects below the field being resolved, fragments followed; `path` descends into
 * sub-fields (['rows']). @skip/@include are not evaluated: a field they may leave out counts as selected, so at
 * worst something is computed that is not sent.
 */
export function selectedFields(info: Info, path: string[] = []): Set<string> {
  let sets = info.fieldNodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => Boolean(s));
  for (const name of path) sets = sets.flatMap((set) => fieldsOf(info, set).filter((f) => f.name === name).map((f) => f.selectionSet).filter((s): s is SelectionSetNode => Boolean(s)));
  return new Set(sets.flatMap((set) => fieldsOf(info, set).map((f) => f.name)));
}

function fieldsOf(info: Info, set: SelectionSetNode, seen = new Set<string>()): { name: string; selectionSet?: SelectionSetNode }[] {
  return set.selections.flatMap((s) => {
    if (s.kind === 'Field') return [{ name: s.name.value, selectionSet: s.selectionSet }];
    if (s.kind === 'InlineFragment') return fieldsOf(info, s.selectionSet, seen);
    const fragment = info.fragments[s.name.value];
    if (!fragment || seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    return fieldsOf(info, fragment.selectionSet, seen);
  });
}

/** What a formView or typed query asks for; `columns` (typed queries): the row fields under rows and totals. */
export function viewSelection(info: Info, typed: boolean): ViewSelection {
  const top = selectedFields(info);
  const columns = typed ? new Set([...selectedFields(info, ['rows']), ...selectedFields(info, ['totals'])]) : undefined;
  return { totalCount: top.has('totalCount'), totals: top.has('totals'), title: top.has('title'), columns };
}
