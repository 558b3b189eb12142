/**
 * Reads a submitted form without ever failing: a forged or broken body (wrong content type,
 * truncated multipart) becomes empty values, which validation then reports as missing answers.
 */
import { formValues, type FormValues } from './forms.ts';
import { readForm } from './request.ts';

export async function readFormValues(request: Request, multi: readonly string[] = []): Promise<FormValues> {
  return formValues(await readForm(request), multi);
}
