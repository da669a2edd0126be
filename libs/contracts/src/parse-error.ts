import { z } from 'zod';

/** A refused parse in words, as every writer of a reason words it (deciders may not import zod themselves). */
export const describeParseError = (error: z.ZodError): string => z.prettifyError(error);
