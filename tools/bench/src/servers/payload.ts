/** The body every server under test returns: libcoap's coap-server index text (GET /), byte for byte in size. */
export const BENCH_PAYLOAD =
  'This is a test server made with libcoap (see https://libcoap.net)\nCopyright (C) 2010--2022 Olaf Bergmann <bergmann@tzi.org> and others\n\n';
