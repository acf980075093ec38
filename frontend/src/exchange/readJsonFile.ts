/** Reading a dropped or picked file as JSON, failing with an ApiError a dialog can show. */
import { ApiError } from '../api/errors';

export async function readJsonFile(file: File): Promise<unknown> {
  try {
    return JSON.parse(await file.text()) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError({
      status: 400,
      title: 'Not a JSON file',
      detail: `The file could not be read as JSON: ${reason}`,
    });
  }
}

/** Whether a dragged or dropped file looks like JSON (by type or name). */
export const isJsonFile = (file: Pick<File, 'name' | 'type'>): boolean =>
  file.type === 'application/json' || file.name.toLowerCase().endsWith('.json');
