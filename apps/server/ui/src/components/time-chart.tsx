/** A time-series line chart (hand-written SVG) of observed numeric resources. */
const COLORS = ['#2f6fd1', '#d1562f', '#2f9e63', '#9b4fd1', '#c98a16', '#1a9ba8'];

export interface Series {
  readonly path: string;
  readonly label: string;
  readonly points: readonly { t: number; v: number }[];
}

const W = 720;
const H = 220;
const PAD = { left: 52, right: 12, top: 12, bottom: 28 };

function niceTicks(min: number, max: number, count: number): number[] {
  if (min === max) return [min];
  const step = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(step));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= step) ?? step;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + 1e-9 && ticks.length < 20; v += nice)
    ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export function TimeChart({ series }: { series: readonly Series[] }) {
  const all = series.flatMap((s) => s.points);
  const pointCount = all.length;
  if (pointCount === 0) {
    return (
      <div className="chart-empty" data-testid="chart" data-points={0}>
        Observe a numeric resource to chart its values here.
      </div>
    );
  }
  let tMin = Math.min(...all.map((p) => p.t));
  const tMax = Math.max(...all.map((p) => p.t));
  if (tMax - tMin < 5_000) tMin = tMax - 5_000;
  let vMin = Math.min(...all.map((p) => p.v));
  let vMax = Math.max(...all.map((p) => p.v));
  if (vMin === vMax) {
    vMin -= 1;
    vMax += 1;
  }
  const pad = (vMax - vMin) * 0.08;
  vMin -= pad;
  vMax += pad;
  const x = (t: number) => PAD.left + ((t - tMin) / (tMax - tMin || 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - vMin) / (vMax - vMin)) * (H - PAD.top - PAD.bottom);
  const yTicks = niceTicks(vMin, vMax, 4);
  const xTicks = [tMin, (tMin + tMax) / 2, tMax];
  return (
    <div className="chart" data-testid="chart" data-points={pointCount}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Observed values over time">
        {yTicks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="tick">
              {Math.abs(v) >= 1000 ? v.toExponential(1) : v}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} x={x(t)} y={H - 8} textAnchor="middle" className="tick">
            {new Date(t).toLocaleTimeString()}
          </text>
        ))}
        {series.map((s, i) => {
          const color = COLORS[i % COLORS.length];
          const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
          return (
            <g key={s.path}>
              <path d={d} fill="none" stroke={color} strokeWidth={2} />
              {s.points.map((p) => (
                <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r={2.5} fill={color} />
              ))}
            </g>
          );
        })}
      </svg>
      <div className="legend">
        {series.map((s, i) => {
          const last = s.points[s.points.length - 1];
          return (
            <span key={s.path}>
              <i style={{ background: COLORS[i % COLORS.length] }} /> {s.label} <code>{s.path}</code>
              {last ? ` = ${last.v}` : ''}
            </span>
          );
        })}
      </div>
    </div>
  );
}
