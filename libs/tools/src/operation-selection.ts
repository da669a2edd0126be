import { ToolDocumentError } from './openapi-tool.js';

/** Operations chosen by their tags, operationIds or the start of their paths; any one list matching is a match. */
export interface OperationSelection {
  readonly tags?: readonly string[];
  readonly operationIds?: readonly string[];
  readonly pathPrefixes?: readonly string[];
}

export interface SelectableOperation {
  readonly path: string;
  readonly operationId?: string;
  readonly tags?: readonly string[];
}

function matches(selection: OperationSelection, operation: SelectableOperation): boolean {
  return (
    (selection.tags ?? []).some((tag) => operation.tags?.includes(tag)) ||
    (operation.operationId !== undefined && (selection.operationIds ?? []).includes(operation.operationId)) ||
    (selection.pathPrefixes ?? []).some((prefix) => operation.path.startsWith(prefix))
  );
}

/** Whether a tool offers the operation: it matches `include` (when given) and not `exclude`. */
export function isSelected(operation: SelectableOperation, include: OperationSelection | undefined, exclude: OperationSelection | undefined): boolean {
  return (include === undefined || matches(include, operation)) && (exclude === undefined || !matches(exclude, operation));
}

/** Refuses an `include`/`exclude` naming operationIds the document does not have: a typo would otherwise silently choose nothing. */
export function checkSelection(operations: readonly SelectableOperation[], selections: { readonly include?: OperationSelection; readonly exclude?: OperationSelection }): void {
  const known = new Set(operations.map((operation) => operation.operationId));
  for (const [field, selection] of Object.entries(selections)) {
    const unknown = (selection?.operationIds ?? []).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 10).map((id) => `"${id}"`).join(', ');
      throw new ToolDocumentError(`"${field}.operationIds" names operations the document does not have: ${shown}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}. Use the operationIds as the document spells them.`);
    }
  }
}
