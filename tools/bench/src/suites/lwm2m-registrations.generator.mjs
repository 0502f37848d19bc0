// Simulated LwM2M devices registering, for the lwm2m-registrations suite, in their own process
// (plain node, node:dgram only, CoAP frames built by hand from one template so the load costs the
// server's cores little): `sockets` UDP sockets keep `inflight` CON Register requests each in
// flight (POST /rd, a new endpoint name each, 10-object link payload). A request unanswered
// after 2 s is counted lost and replaced. argv: host port sockets inflight
// Parent messages: { run: seconds } -> { completed, lost, other, elapsedMs, cpuUs }; 'exit'.
import { createSocket } from 'node:dgram';

const [host, portText, socketsText, inflightText] = process.argv.slice(2);
const port = Number(portText);
const socketCount = Number(socketsText);
const inflight = Number(inflightText);
const LINKS =
  '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</3303/0>,</3304/0>,</3311/0>,</3442/0>';
const LOST_AFTER_MS = 2000;

function option(prev, num, value) {
  const delta = num - prev;
  const len = value.length;
  const nib = (n) => (n < 13 ? n : n < 269 ? 13 : 14);
  const ext = (n) => (n < 13 ? [] : n < 269 ? [n - 13] : [(n - 269) >> 8, (n - 269) & 0xff]);
  return [(nib(delta) << 4) | nib(len), ...ext(delta), ...ext(len), ...value];
}
const text = (s) => [...Buffer.from(s)];

// Register: CON POST, token 4 bytes, Uri-Path rd, Content-Format 40, Uri-Query ep=r<10 digits>, lt, lwm2m, b.
// The endpoint name has a fixed width, so every request is the template with its id, token and name patched.
const EP_DIGITS = 10;
const header = [0x44, 0x02, 0, 0, 0, 0, 0, 0];
const opts = [
  ...option(0, 11, text('rd')),
  ...option(11, 12, [40]),
  ...option(12, 15, text(`ep=r${'0'.repeat(EP_DIGITS)}`)),
  ...option(15, 15, text('lt=86400')),
  ...option(15, 15, text('lwm2m=1.1')),
  ...option(15, 15, text('b=U')),
];
const template = Buffer.from([...header, ...opts, 0xff, ...text(LINKS)]);
const epAt = template.indexOf(Buffer.from(`ep=r${'0'.repeat(EP_DIGITS)}`)) + 4;
let nextName = process.pid * 1_000_000;

const sims = [];
let running = false;
let completed = 0;
let lost = 0;
let other = 0;

function sendOne(sim) {
  const frame = Buffer.from(template);
  const mid = sim.mid;
  sim.mid = (sim.mid + 1) & 0xffff;
  frame.writeUInt16BE(mid, 2);
  frame.writeUInt32BE(sim.tokenBase + mid, 4);
  frame.write(String(nextName++ % 10 ** EP_DIGITS).padStart(EP_DIGITS, '0'), epAt, 'latin1');
  sim.pending.set(mid, Date.now());
  sim.socket.send(frame, port, host);
}

for (let i = 0; i < socketCount; i++) {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  const sim = { socket, mid: (i * 7919) & 0xffff, tokenBase: (i << 20) >>> 0, pending: new Map() };
  sims.push(sim);
  socket.on('message', (buf) => {
    const mid = (buf[2] << 8) | buf[3];
    if (!sim.pending.delete(mid)) return; // late or duplicate
    if (buf[1] === 0x41) {
      if (running) completed++;
    } else other++;
    if (running) sendOne(sim);
  });
  socket.bind(0, '127.0.0.1');
}

function run(seconds) {
  completed = 0;
  lost = 0;
  other = 0;
  running = true;
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  for (const sim of sims) for (let k = sim.pending.size; k < inflight; k++) sendOne(sim);
  const check = setInterval(() => {
    const now = Date.now();
    for (const sim of sims)
      for (const [mid, at] of sim.pending)
        if (now - at > LOST_AFTER_MS) {
          sim.pending.delete(mid);
          lost++;
          if (running) sendOne(sim);
        }
    if (now - started >= seconds * 1000) {
      running = false;
      clearInterval(check);
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ completed, lost, other, elapsedMs: now - started, cpuUs: cpu.user + cpu.system });
    }
  }, 50);
}

process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
  else if (m && typeof m.run === 'number') run(m.run);
});
process.send?.({ ready: socketCount });
