// metav1.MicroTime (Event.eventTime, Lease.spec.renewTime, ...) is parsed by the apiserver with exactly six
// fractional digits; client-node would send a Date with three. It passes a string through unchanged, so it gets one.
export function microTime(date: Date): Date {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}
