import { describeLwM2mBehaviour } from '../src/behaviour-suite';
import { udpPair } from '../src/transports/udp';

describeLwM2mBehaviour('UDP IPv4 (127.0.0.1)', () => udpPair(4));
describeLwM2mBehaviour('UDP IPv6 (::1)', () => udpPair(6));
