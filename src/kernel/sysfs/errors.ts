/** Refusals from the sysfs layer, before anything outside the sysfs root is touched. */
export class InvalidNameError extends Error {
  override name = 'InvalidNameError';
  readonly kind = 'invalid-name';
}

export class NoSuchGroupError extends Error {
  override name = 'NoSuchGroupError';
  readonly kind = 'no-such-group';
}

export class NoSuchDeviceError extends Error {
  override name = 'NoSuchDeviceError';
  readonly kind = 'no-such-device';
}
