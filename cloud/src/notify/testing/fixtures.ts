import type { Alarm } from '../../alarms/types.ts';
import { renderMessage } from '../messages.ts';
import type { Locale, Recipient, RenderedMessage } from '../types.ts';

export function sampleAlarm(over: Partial<Alarm> = {}): Alarm {
  return {
    id: 'alarm-0001',
    orgId: 'org-a',
    deviceId: 'dev-1',
    machineId: 'm-1',
    type: 'edge-anomaly',
    severity: 'critical',
    status: 'active',
    acknowledged: false,
    ackBy: null,
    ackAt: null,
    assigneeId: null,
    openedAt: Date.UTC(2026, 10, 29, 1, 30),
    clearedAt: null,
    clearedBy: null,
    lastEventAt: Date.UTC(2026, 10, 29, 1, 32),
    cooldownUntil: null,
    title: 'Abnormal compressor sound',
    detail: { threshold: 0.42, peakScore: 0.913, windowsOver: 3, fault: { type: 'bearing', confidence: 0.81 }, cloudScore: 1.7 },
    ...over,
  };
}

export const sampleDevice = { deviceName: 'ESP32-냉동1', machineName: '1번 냉동 압축기', siteName: '강남 물류센터' };

export function sampleMessage(locale: Locale, alarm = sampleAlarm()): RenderedMessage {
  return renderMessage({
    alarm,
    kind: 'opened',
    locale,
    device: sampleDevice,
    url: `http://127.0.0.1:8787/app/alarms/${alarm.id}`,
    timeZone: 'Asia/Seoul',
  });
}

export function sampleRecipient(over: Partial<Recipient> = {}): Recipient {
  return {
    userId: 'u-kim',
    name: '김기사',
    email: 'kim@example.com',
    phone: '+821012345678',
    locale: 'ko',
    kakaoAccessToken: null,
    pushSubscriptions: [],
    preferences: {
      locale: 'ko',
      channels: { email: true, sms: true, kakao: true, push: true },
      phone: '+821012345678',
      quietHours: null,
    },
    ...over,
  };
}
