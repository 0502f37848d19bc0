/** Test credentials for every package, app and tool: one place that makes keys, certificates and OSCORE contexts. */
export {
  type Certificate,
  type CertificateFiles,
  type SelfSignedOptions,
  selfSignedCertificate,
  writeSelfSignedCertificate,
} from './certificate';
export { ecKeyPair, type KeyPair, newEcKey, writeEcPrivateKey, writeEcPublicKey } from './ec-keys';
export { runOpenssl } from './openssl';
export { type OscoreContextFiles, writeOscoreContexts } from './oscore-contexts';
