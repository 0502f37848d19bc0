import { describeLwM2mBehaviour } from '../src/behaviour-suite';
import { tcpPair, tlsPskPair, tlsX509Pair, wsPair } from '../src/transports/stream';

describeLwM2mBehaviour('CoAP over TCP (127.0.0.1)', tcpPair);
describeLwM2mBehaviour('CoAP over TLS 1.2 PSK (127.0.0.1, identity-checked registration)', tlsPskPair);
describeLwM2mBehaviour('CoAP over TLS 1.2 X.509, mutual (127.0.0.1)', tlsX509Pair);
describeLwM2mBehaviour('CoAP over WebSockets (127.0.0.1)', wsPair);
