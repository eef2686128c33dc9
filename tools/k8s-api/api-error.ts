import { Resource } from './resources';
import { Json } from './types';

/** An error the API answers as a metav1.Status with this HTTP code and reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, Json>,
  ) {
    super(message);
  }
}

export const notFound = (r: Resource, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`, { name, group: r.group, kind: r.plural });
