import { useCallback, useMemo, useState } from 'react';
import type { Validate } from './request-schemas';
import { errorAt, merged, noErrors, problemErrors, schemaErrors, type FieldErrors } from './field-errors';

/**
 * A form's body checked against the API's request schema on every change. A field shows its
 * error once the person has changed it (or tried to send), so an empty form does not open in
 * red; the API's own 422 `errors[]` show at their fields until that field changes again.
 */
export function useCheckedForm(validate: Validate, body: unknown, beyondSchema: FieldErrors = noErrors) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [fromApi, setFromApi] = useState<FieldErrors>(noErrors);
  // What the schema cannot say (unique ids, say) is checked by the caller and shown the same way.
  const local = useMemo(() => merged(schemaErrors(validate, body), beyondSchema), [validate, body, beyondSchema]);

  const touch = useCallback((pointer: string) => {
    setTouched((before) => (before.has(pointer) ? before : new Set([...before, pointer])));
    setFromApi((before) => (before.size === 0 ? before : new Map([...before].filter(([at]) => at !== pointer && !at.startsWith(`${pointer}/`)))));
  }, []);

  const errorFor = useCallback(
    (pointer: string): string | undefined => {
      const shown = attempted || touched.has(pointer) || [...touched].some((at) => at.startsWith(`${pointer}/`));
      return (shown ? errorAt(local, pointer) : undefined) ?? errorAt(fromApi, pointer);
    },
    [attempted, touched, local, fromApi],
  );

  /** Before sending: marks every field as shown, and answers whether the body may go. */
  const mayBeSent = useCallback(() => {
    setAttempted(true);
    return local.size === 0;
  }, [local]);

  /** After the API refused: its field errors, if it named fields. Answers whether it did. */
  const refusedWith = useCallback((failure: unknown) => {
    const errors = problemErrors(failure);
    setFromApi(errors);
    return errors.size > 0;
  }, []);

  return { errorFor, touch, mayBeSent, refusedWith, valid: local.size === 0, errors: local, apiErrors: fromApi };
}
