// The seat map: seats drawn from their x/y coordinates in one SVG, coloured by grade, with a
// legend; zoom buttons (the frame scrolls to pan). Keyboard and screen reader: the map is one
// tab stop (roving tabindex); arrow keys move to the nearest seat in that direction, Space or
// Enter selects; every seat is a checkbox labelled "Row A, seat 12, VIP, ₩150,000, available".
import { useMemo, useRef, useState } from 'preact/hooks';
import type { Seat, SeatMapBody } from './api/types';
import { money } from './format';
import { t } from './i18n';

const palette = ['#7c3aed', '#2563eb', '#059669', '#d97706', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const unit = 14; // px per layout unit at zoom 1

export function seatName(seat: Seat, map: SeatMapBody, selected: boolean): string {
  const parts = seat.label.split('-');
  const row = parts.length >= 3 ? parts[parts.length - 2] : parts[0];
  const number = parts[parts.length - 1];
  const grade = map.grades[seat.grade];
  const state = selected ? t('selected') : t(seat.status === 'AVAILABLE' ? 'available' : seat.status === 'HELD' ? 'held' : 'sold');
  const section = parts.length >= 3 ? `${parts[0]} · ` : '';
  return `${section}${t('row')} ${row}, ${t('seat')} ${number}, ${grade?.name ?? ''}, ${money(grade?.price)}, ${state}`;
}

export function SeatMap(props: {
  map: SeatMapBody;
  seats: Seat[];
  selected: Set<string>;
  onToggle: (seat: Seat) => void;
}) {
  const { map, seats, selected } = props;
  const [zoom, setZoom] = useState(1);
  const [focused, setFocused] = useState(0);
  const svg = useRef<SVGSVGElement>(null);
  const bounds = useMemo(() => {
    let maxX = 0, maxY = 0;
    for (const s of seats) {
      maxX = Math.max(maxX, s.x);
      maxY = Math.max(maxY, s.y);
    }
    return { w: (maxX + 2) * unit, h: (maxY + 2) * unit };
  }, [seats]);

  const move = (dx: number, dy: number) => {
    const from = seats[focused];
    if (!from) return;
    let best = -1, bestScore = Infinity;
    for (let i = 0; i < seats.length; i++) {
      const s = seats[i];
      const ax = s.x - from.x, ay = s.y - from.y;
      const along = ax * dx + ay * dy;
      if (along <= 0) continue;
      const across = Math.abs(ax * dy) + Math.abs(ay * dx);
      const score = along + across * 4;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best >= 0) {
      setFocused(best);
      (svg.current?.querySelector(`[data-index="${best}"]`) as SVGElement | null)?.focus();
    }
  };

  const onKey = (e: KeyboardEvent) => {
    const keys: Record<string, [number, number]> = {
      ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1],
    };
    if (keys[e.key]) {
      e.preventDefault();
      move(...keys[e.key]);
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      const s = seats[focused];
      if (s) props.onToggle(s);
    }
  };

  return (
    <div class="seatmap">
      <div class="zoom" role="toolbar" aria-label={t('seatMap')}>
        <button type="button" onClick={() => setZoom((z) => Math.min(4, z * 1.5))}>{t('zoomIn')}</button>
        <button type="button" onClick={() => setZoom((z) => Math.max(0.25, z / 1.5))}>{t('zoomOut')}</button>
        <button type="button" onClick={() => setZoom(1)}>{t('resetZoom')}</button>
      </div>
      <ul class="legend" aria-label={t('legend')}>
        {map.grades.map((g, i) => (
          <li key={g.gradeId}>
            <svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" rx="3" fill={palette[i % palette.length]} /></svg>{' '}
            {g.name} {money(g.price)} ({g.remaining} {t('remaining')})
          </li>
        ))}
        <li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" rx="3" class="seat-taken" /></svg> {t('held')} / {t('sold')}</li>
        <li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" rx="3" class="seat-selected" /></svg> {t('selected')}</li>
      </ul>
      <div class="frame">
        <svg
          ref={svg}
          role="group"
          aria-label={t('seatMap')}
          width={bounds.w * zoom}
          height={bounds.h * zoom}
          viewBox={`0 0 ${bounds.w} ${bounds.h}`}
          onKeyDown={onKey}
        >
          {seats.map((s, i) => {
            const isSelected = selected.has(s.seatId);
            const taken = s.status !== 'AVAILABLE' && !isSelected;
            return (
              <rect
                key={s.seatId}
                data-index={i}
                data-seat={s.seatId}
                role="checkbox"
                aria-checked={isSelected}
                aria-disabled={taken}
                aria-label={seatName(s, map, isSelected)}
                tabindex={i === focused ? 0 : -1}
                x={(s.x + 0.5) * unit}
                y={(s.y + 0.5) * unit}
                width={unit - 3}
                height={unit - 3}
                rx={3}
                class={isSelected ? 'seat seat-selected' : taken ? 'seat seat-taken' : 'seat'}
                fill={taken || isSelected ? undefined : palette[s.grade % palette.length]}
                onClick={() => {
                  setFocused(i);
                  props.onToggle(s);
                }}
                onFocus={() => setFocused(i)}
              />
            );
          })}
        </svg>
      </div>
    </div>
  );
}
