// A ticket's code as the gate scans it: the rotating code made here every 30 s when the browser
// can sign (rotating_code.ts), else the printed static code. Drawn as an inline SVG from the QR
// matrix (alphanumeric mode: base45 is exactly QR's alphanumeric alphabet), so no image request
// and no inline style or script (the CSP forbids both).
import qrcode from 'qrcode-generator';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Ticket } from './api/types';
import { t } from './i18n';
import { makeTicketSigner, WINDOW_SECONDS, windowOf } from './rotating_code';

function QrSvg(props: { text: string; label: string; kind: 'rotating' | 'static' }) {
  const path = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(props.text, 'Alphanumeric');
    qr.make();
    const n = qr.getModuleCount();
    let d = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }
    return { d, size: n + 8 };
  }, [props.text]);
  return (
    <svg class={'qr ' + props.kind} role="img" aria-label={props.label} data-code={props.text}
      viewBox={`0 0 ${path.size} ${path.size}`} width={240} height={240} shape-rendering="crispEdges">
      <rect width={path.size} height={path.size} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}

export function TicketCode(props: { ticket: Ticket; label: string }) {
  const { ticket } = props;
  const [code, setCode] = useState<string | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  useEffect(() => {
    const rotating = ticket.rotating;
    if (!rotating) {
      setUnsupported(true);
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    makeTicketSigner(rotating.signedTicket, rotating.ticketKey).then((signer) => {
      if (stopped) return;
      if (!signer) {
        setUnsupported(true);
        return;
      }
      const tick = async () => {
        const now = Date.now();
        const next = (windowOf(now) + 1) * WINDOW_SECONDS * 1000;
        const text = await signer.codeAt(now);
        if (stopped) return;
        setCode(text);
        timer = setTimeout(tick, next - now + 50);
      };
      void tick();
    }).catch(() => setUnsupported(true));
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [ticket.ticketId, ticket.rotating?.signedTicket]);

  if (unsupported && ticket.code) {
    return (
      <figure>
        <QrSvg text={ticket.code} label={props.label} kind="static" />
        <figcaption><small>{t('staticCode')}</small></figcaption>
      </figure>
    );
  }
  if (!code) return <p aria-busy="true">{t('loading')}</p>;
  return (
    <figure>
      <QrSvg text={code} label={props.label} kind="rotating" />
      <figcaption><small>{t('rotatingCode')}</small></figcaption>
    </figure>
  );
}
