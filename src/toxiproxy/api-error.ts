/** An HTTP API failure: the status code and the message Toxiproxy puts in `{"error","status"}`. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export const apiErrors = {
  proxyNotFound: () => new ApiError(404, 'proxy not found'),
  proxyExists: () => new ApiError(409, 'proxy already exists'),
  toxicNotFound: () => new ApiError(404, 'toxic not found'),
  toxicExists: () => new ApiError(409, 'toxic already exists'),
  invalidStream: () => new ApiError(400, 'stream was invalid, can be either upstream or downstream'),
  invalidToxicType: () => new ApiError(400, 'invalid toxic type'),
  missingField: (field: string) => new ApiError(400, `missing required field: ${field}`),
  badBody: (detail: string) => new ApiError(400, `bad request body: ${detail}`),
};
