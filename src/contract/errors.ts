// The one error catalogue: every error the emulator answers, in the HSS service format
// {error_code, error_msg, error_description} or the API gateway format
// {error_code, error_msg, request_id} (docs/api.md, section 6).

/** Gateway errors carry `request_id` in the body; service errors `error_description` instead, as real HSS answers do. */
type Origin = 'gateway' | 'service';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly origin: Origin,
  ) {
    super(message);
  }

  body(requestId: string): Record<string, string> {
    const body: Record<string, string> = { error_code: this.errorCode, error_msg: this.message };
    if (this.origin === 'gateway') body.request_id = requestId;
    else body.error_description = this.message;
    return body;
  }
}

const IAM_AUTH = 'Incorrect IAM authentication information: ';

export const errors = {
  invalidParameter: (detail: string) => new ApiError(400, 'HSS.0001', `Invalid parameter. ${detail}`, 'service'),
  tokenMissing: () => new ApiError(401, 'APIGW.0301', `${IAM_AUTH}x-auth-token not found`, 'gateway'),
  tokenRejected: () => new ApiError(401, 'APIGW.0301', `${IAM_AUTH}decrypt token fail`, 'gateway'),
  accessKeyUnknown: () => new ApiError(401, 'APIGW.0301', `${IAM_AUTH}Get secretKey failed,ak:******,err:ak not exist`, 'gateway'),
  signatureMismatch: () => new ApiError(401, 'APIGW.0301', `${IAM_AUTH}verify aksk signature fail`, 'gateway'),
  signatureExpired: (signatureTime: string, serverTime: string) =>
    new ApiError(
      401,
      'APIGW.0303',
      `Incorrect app authentication information: signature expired, signature time:${signatureTime},server time:${serverTime}`,
      'gateway',
    ),
  projectForbidden: () => new ApiError(403, 'APIGW.0302', 'The IAM user is not authorized to access the API.', 'gateway'),
  tokenExpired: () => new ApiError(401, 'APIGW.0307', 'The token must be updated.', 'gateway'),
  throttled: (limit: number) =>
    new ApiError(
      429,
      'APIGW.0308',
      `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`,
      'gateway',
    ),
  backendUnavailable: () => new ApiError(502, 'APIGW.0201', 'Backend unavailable.', 'gateway'),
  backendTimeout: () => new ApiError(504, 'APIGW.0201', 'Backend timeout.', 'gateway'),
  apiNotFound: () =>
    new ApiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment', 'gateway'),
  requestError: (statusCode: 400 | 408 | 413 | 414 | 494, detail: string) =>
    new ApiError(statusCode, 'APIGW.0201', `Request error: ${detail}`, 'gateway'),
  internal: () => new ApiError(500, 'HSS.1008', 'Failed to query host information.', 'service'),

  // The control API (/_mock): the gateway's format, with codes of its own.
  invalidBody: (detail: string) => new ApiError(400, 'MOCK.0400', `Invalid body. ${detail}`, 'gateway'),
  invalidControlParameter: (detail: string) => new ApiError(400, 'MOCK.0400', `Invalid parameter. ${detail}`, 'gateway'),
  adminTokenRequired: () =>
    new ApiError(401, 'MOCK.0401', 'The control API needs the header Authorization: Bearer <admin token>', 'gateway'),
  invalidFaultHeader: (header: string, expected: string) => new ApiError(400, 'MOCK.0400', `Invalid header. ${header} must be ${expected}`, 'gateway'),
  faultNotFound: (id: string) => new ApiError(404, 'MOCK.0404', `There is no fault rule ${id}`, 'gateway'),
  hostNotFound: (projectId: string, hostId: string) =>
    new ApiError(404, 'MOCK.0404', `Project ${projectId} has no host ${hostId}`, 'gateway'),
  duplicateHost: (projectId: string, hostId: string) =>
    new ApiError(409, 'MOCK.0409', `Project ${projectId} already has a host ${hostId}; nothing was written`, 'gateway'),
  resetMeanwhile: () => new ApiError(409, 'MOCK.0409', 'A full reset came while this write was running; nothing was written', 'gateway'),
  dataLimit: (detail: string) => new ApiError(507, 'MOCK.0507', `hss-mock cannot hold more data: ${detail}`, 'gateway'),
  unsupportedMediaType: () => new ApiError(415, 'MOCK.0415', 'The body must be JSON (Content-Type: application/json)', 'gateway'),
  startupFilesUnusable: (detail: string) =>
    new ApiError(422, 'MOCK.0422', `A start-up file cannot be read, so nothing was reset: ${detail}`, 'gateway'),
};

/** A bad option or fixture: the message is the one line to print before stopping. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** What is wrong with some input (a body, a fixture), as `/3/os_type: must be one of: Linux, Windows`. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
