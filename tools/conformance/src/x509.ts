/**
 * Self-signed EC P-256 certificates made with the openssl command line (node:crypto cannot
 * issue certificates). Each side trusts exactly the other's certificate.
 */
export { type Certificate, selfSignedCertificate } from '@lwm2m-ts/test-pki';
