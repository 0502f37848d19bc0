import { describeLwM2mBehaviour } from '../src/behaviour-suite';
import { dtlsPskPair, dtlsRpkPair, dtlsX509Pair, oscorePair } from '../src/transports/secure-datagram';

describeLwM2mBehaviour('DTLS 1.2 PSK (127.0.0.1, identity-checked registration)', dtlsPskPair);
describeLwM2mBehaviour('DTLS 1.2 raw public keys (127.0.0.1, identity-checked registration)', dtlsRpkPair);
describeLwM2mBehaviour('DTLS 1.2 X.509, mutual (127.0.0.1, CN-checked registration)', dtlsX509Pair);
describeLwM2mBehaviour('OSCORE over UDP (127.0.0.1, identity-checked registration)', oscorePair);
