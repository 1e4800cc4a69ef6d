/**
 * Notification texts in Korean and English, and the renderer that fills them from an alarm. Both
 * catalogs must have the same keys and the same {placeholders} (`messages.test.ts` checks).
 */
import type { Alarm, AlarmType, Severity, TransitionKind } from '../alarms/types.ts';
import type { DeviceDescription, Locale, RenderedMessage } from './types.ts';

export type NotifyKind = Extract<TransitionKind, 'opened' | 'reopened' | 'escalated' | 'cleared' | 'assigned'>;

interface Catalog {
  brand: string;
  severity: Record<Severity, string>;
  clearedTag: string;
  type: Record<AlarmType, string>;
  /** First line of the body, per transition. */
  headline: Record<NotifyKind, string>;
  fault: Record<string, string>;
  line: {
    place: string;
    device: string;
    score: string;
    fault: string;
    cloudScore: string;
    lastSeen: string;
    lost: string;
    openedAt: string;
    clearedBy: Record<'auto' | 'manual' | 'online' | 'cloud-normal', string>;
  };
  action: Record<AlarmType, string>;
  link: string;
  kakaoButton: string;
  footer: string;
}

const en: Catalog = {
  brand: 'Signalcraft',
  severity: { info: 'Info', warning: 'Warning', critical: 'Critical' },
  clearedTag: 'Resolved',
  type: {
    'edge-anomaly': 'abnormal compressor sound',
    'cloud-anomaly': 'anomaly confirmed by cloud analysis',
    offline: 'device offline',
    'data-loss': 'data lost in transit',
  },
  headline: {
    opened: 'A new alarm opened for {machine}.',
    reopened: 'The alarm for {machine} is active again, and worse than before.',
    escalated: 'The alarm for {machine} is now {severity}.',
    cleared: 'The alarm for {machine} has cleared. It stays in the list until someone acknowledges it.',
    assigned: 'You were assigned the alarm for {machine}.',
  },
  fault: {
    bearing: 'bearing wear',
    'valve-leak': 'valve leak',
    'loose-mount': 'loose mounting',
    slugging: 'liquid slugging',
    electrical: 'electrical fault',
    starvation: 'refrigerant starvation',
  },
  line: {
    place: 'Where: {site} / {machine}',
    device: 'Device: {device}',
    score: 'Anomaly score: {score} (alert threshold {threshold})',
    fault: 'Likely cause: {fault} ({confidence}% confidence)',
    cloudScore: 'Cloud score: {score} (1.00 = threshold)',
    lastSeen: 'Last heard from: {time}',
    lost: 'Messages lost: {count}',
    openedAt: 'Since: {time}',
    clearedBy: {
      auto: 'The sound has been normal again for a while.',
      manual: 'Cleared by a team member.',
      online: 'The device is reporting again.',
      'cloud-normal': 'A newer recording sounded normal to the cloud analysis.',
    },
  },
  action: {
    'edge-anomaly': 'Please listen to the compressor and check it on site.',
    'cloud-anomaly': 'Please listen to the clip in the dashboard and check the compressor.',
    offline: 'Check the device power and Wi-Fi.',
    'data-loss': 'Check the Wi-Fi signal at the device.',
  },
  link: 'Open: {url}',
  kakaoButton: 'View alarm',
  footer: 'You get this because of your notification settings in Signalcraft.',
};

const ko: Catalog = {
  brand: '시그널크래프트',
  severity: { info: '알림', warning: '경고', critical: '긴급' },
  clearedTag: '해제',
  type: {
    'edge-anomaly': '압축기 이상 소음',
    'cloud-anomaly': '클라우드 분석 이상 확인',
    offline: '기기 오프라인',
    'data-loss': '데이터 전송 누락',
  },
  headline: {
    opened: '{machine}에 새 알람이 발생했습니다.',
    reopened: '{machine} 알람이 다시 발생했으며 이전보다 심각합니다.',
    escalated: '{machine} 알람이 {severity} 단계로 올라갔습니다.',
    cleared: '{machine} 알람이 해제되었습니다. 누군가 확인할 때까지 목록에 남아 있습니다.',
    assigned: '{machine} 알람의 담당자로 지정되었습니다.',
  },
  fault: {
    bearing: '베어링 마모',
    'valve-leak': '밸브 누설',
    'loose-mount': '고정부 풀림',
    slugging: '액압축(리퀴드 슬러깅)',
    electrical: '전기 계통 이상',
    starvation: '냉매 부족',
  },
  line: {
    place: '위치: {site} / {machine}',
    device: '기기: {device}',
    score: '이상 점수: {score} (경보 기준 {threshold})',
    fault: '추정 원인: {fault} (신뢰도 {confidence}%)',
    cloudScore: '클라우드 점수: {score} (1.00 = 기준)',
    lastSeen: '마지막 수신: {time}',
    lost: '누락된 메시지: {count}건',
    openedAt: '발생 시각: {time}',
    clearedBy: {
      auto: '한동안 소리가 정상으로 돌아왔습니다.',
      manual: '팀원이 해제했습니다.',
      online: '기기가 다시 보고하고 있습니다.',
      'cloud-normal': '최근 녹음이 클라우드 분석에서 정상으로 판정되었습니다.',
    },
  },
  action: {
    'edge-anomaly': '현장에서 압축기 소리를 듣고 점검해 주세요.',
    'cloud-anomaly': '대시보드에서 녹음을 들어 보고 압축기를 점검해 주세요.',
    offline: '기기 전원과 Wi-Fi를 확인해 주세요.',
    'data-loss': '기기 위치의 Wi-Fi 신호를 확인해 주세요.',
  },
  link: '바로가기: {url}',
  kakaoButton: '알람 보기',
  footer: '시그널크래프트 알림 설정에 따라 발송된 메시지입니다.',
};

export const CATALOGS: Record<Locale, Catalog> = { en, ko };

/** Fills {name} placeholders; a missing value is a bug in the caller, so it throws. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`message placeholder {${k}} has no value`);
    return String(vars[k]);
  });
}

export function faultName(locale: Locale, id: string): string {
  return CATALOGS[locale].fault[id] ?? id;
}

export function formatTime(locale: Locale, t: number, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(t));
}

export interface RenderInput {
  alarm: Alarm;
  kind: NotifyKind;
  locale: Locale;
  device: DeviceDescription | null;
  url: string;
  timeZone: string;
}

const SMS_MAX = 70; // one Korean (UCS-2) SMS segment; English fits well within 160

export function renderMessage({ alarm, kind, locale, device, url, timeZone }: RenderInput): RenderedMessage {
  const c = CATALOGS[locale];
  const d = alarm.detail;
  const machine = device?.machineName ?? device?.deviceName ?? alarm.deviceId;
  const site = device?.siteName ?? '-';
  const tag = kind === 'cleared' ? c.clearedTag : c.severity[alarm.severity];
  const title = `[${tag}] ${machine}: ${c.type[alarm.type]}`;
  const severity = c.severity[alarm.severity];

  // Most telling facts first: push and Kakao show only the first lines.
  const lines = [fill(c.headline[kind], { machine, severity })];
  if (d.fault) {
    lines.push(fill(c.line.fault, { fault: faultName(locale, d.fault.type), confidence: Math.round(d.fault.confidence * 100) }));
  }
  if (alarm.type === 'edge-anomaly' && d.peakScore !== undefined && d.threshold !== undefined) {
    lines.push(fill(c.line.score, { score: d.peakScore.toFixed(3), threshold: d.threshold.toFixed(3) }));
  }
  if (d.cloudScore !== undefined) lines.push(fill(c.line.cloudScore, { score: d.cloudScore.toFixed(2) }));
  if (alarm.type === 'offline' && d.lastSeenAt !== undefined) {
    lines.push(fill(c.line.lastSeen, { time: formatTime(locale, d.lastSeenAt, timeZone) }));
  }
  if (alarm.type === 'data-loss' && d.lostCount !== undefined) lines.push(fill(c.line.lost, { count: d.lostCount }));
  lines.push(fill(c.line.place, { site, machine }));
  if (device) lines.push(fill(c.line.device, { device: device.deviceName }));
  lines.push(fill(c.line.openedAt, { time: formatTime(locale, alarm.openedAt, timeZone) }));
  lines.push('');
  if (kind === 'cleared') lines.push(c.line.clearedBy[d.clearReason ?? 'auto']);
  else lines.push(c.action[alarm.type]);
  lines.push('', fill(c.link, { url }), '', `— ${c.brand}. ${c.footer}`);

  const head = `[${c.brand}] ${title}`;
  const short =
    head.length + 1 + url.length <= SMS_MAX * 2 ? `${head} ${url}` : `${head.slice(0, SMS_MAX * 2 - url.length - 2)}… ${url}`;
  return { locale, title, body: lines.join('\n'), short, url, severity: alarm.severity, alarmId: alarm.id, kind };
}

/** Text for Kakao's text template (max 200 characters; the link goes in the button). */
export function kakaoText(m: RenderedMessage): string {
  const firstLines = m.body.split('\n').filter((l) => l && !l.includes(m.url));
  let text = m.title;
  for (const l of firstLines) {
    if (text.length + 1 + l.length > 200) break;
    text += `\n${l}`;
  }
  return text.slice(0, 200);
}

export function kakaoButtonTitle(locale: Locale): string {
  return CATALOGS[locale].kakaoButton;
}
