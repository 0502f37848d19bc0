// Simulated LwM2M devices for the lwm2m-notifications suite, in their own process (plain node,
// node:dgram only, CoAP frames built by hand so the devices cost the server's cores little):
// each device registers from its own UDP socket (POST /rd), answers the server's Observe of
// /3303/0/5700 (text/plain), then sends NON 2.05 notifications with a new value each time,
// paced to `rate` notifications/s in total. argv: host port devices rate seconds
import { createSocket } from 'node:dgram';

const [host, portText, devicesText, rateText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const devices = Number(devicesText);
const rate = Number(rateText);
const seconds = Number(secondsText);

function option(prev, num, value) {
  const delta = num - prev;
  const len = value.length;
  const nib = (n) => (n < 13 ? n : n < 269 ? 13 : 14);
  const ext = (n) => (n < 13 ? [] : n < 269 ? [n - 13] : [(n - 269) >> 8, (n - 269) & 0xff]);
  return [(nib(delta) << 4) | nib(len), ...ext(delta), ...ext(len), ...value];
}
/** options: [number, bytes][] sorted by number. */
function frame(type, code, mid, token, options, payload) {
  const out = [0x40 | (type << 4) | token.length, code, mid >> 8, mid & 0xff, ...token];
  let prev = 0;
  for (const [num, value] of options) {
    out.push(...option(prev, num, value));
    prev = num;
  }
  if (payload?.length) out.push(0xff, ...payload);
  return Buffer.from(out);
}
const text = (s) => [...Buffer.from(s)];
const uint = (n) =>
  n === 0 ? [] : n < 256 ? [n] : n < 65536 ? [n >> 8, n & 0xff] : [n >> 16, (n >> 8) & 0xff, n & 0xff];

/** Parses type, code, mid, token of an incoming frame. */
function head(buf) {
  const tkl = buf[0] & 0x0f;
  return { type: (buf[0] >> 4) & 3, code: buf[1], mid: (buf[2] << 8) | buf[3], token: [...buf.subarray(4, 4 + tkl)] };
}

const sims = [];
let observed = 0;
let sent = 0;
for (let i = 0; i < devices; i++) {
  const socket = createSocket('udp4');
  const sim = { socket, token: undefined, seq: 2, mid: (i * 1000) & 0xffff, value: 20 + i };
  sims.push(sim);
  socket.on('message', (buf) => {
    const h = head(buf);
    if (h.code === 0x01 && h.type === 0) {
      // The server's Observe GET: answer 2.05 piggybacked, Observe=1, text/plain.
      sim.token = h.token;
      observed++;
      socket.send(
        frame(
          2,
          0x45,
          h.mid,
          h.token,
          [
            [6, uint(1)],
            [12, []],
          ],
          text(sim.value.toFixed(2)),
        ),
        port,
        host,
      );
      if (observed === devices) process.send?.({ observed });
    }
  });
  socket.bind(0, '127.0.0.1', () => {
    const query = [`ep=bench-${i}`, 'lt=3600', 'lwm2m=1.1', 'b=U'];
    const opts = [[11, text('rd')], [12, [40]], ...query.map((q) => [15, text(q)])];
    socket.send(frame(0, 0x02, sim.mid++, [i & 0xff, i >> 8], opts, text('</3303/0>')), port, host);
  });
}

function notify(sim) {
  sim.value = sim.value >= 80 ? 20 : sim.value + 0.25;
  sim.mid = (sim.mid + 1) & 0xffff;
  const seq = sim.seq++ & 0xffffff;
  sim.socket.send(
    frame(
      1,
      0x45,
      sim.mid,
      sim.token,
      [
        [6, uint(seq)],
        [12, []],
      ],
      text(sim.value.toFixed(2)),
    ),
    port,
    host,
  );
  sent++;
}

process.on('message', (m) => {
  if (m !== 'go') return;
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  let due = 0;
  let next = 0;
  const tick = () => {
    const elapsed = Date.now() - started;
    if (elapsed >= seconds * 1000) {
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ sent, elapsedMs: elapsed, cpuUs: cpu.user + cpu.system });
      setTimeout(() => process.exit(0), 200);
      return;
    }
    due = Math.floor((elapsed / 1000) * rate);
    while (sent < due) notify(sims[next++ % sims.length]);
    setImmediate(tick);
  };
  tick();
});
