/** Flasher UI strings. Both languages must define every key (flasher/web/i18n.test.ts enforces it). */
export const MESSAGES = {
  en: {
    title: 'Signalcraft flasher',
    subtitle: 'Install the listening firmware on an ESP32 and connect it to your cloud.',
    language: '한국어',
    noSerialTitle: 'This browser cannot talk to serial ports',
    noSerialBody:
      'Web Serial works in Chrome, Edge and Opera on a computer. Safari, Firefox and most phones do not have it. Use a computer with Chrome, or the command line: npx signalcraft flash --port <port> --manifest <manifest.json>.',
    insecure: 'Web Serial needs a secure page (https or localhost).',
    firmware: 'Firmware',
    loadingManifest: 'Loading firmware list…',
    manifestFailed: 'Could not load the firmware manifest',
    manifestHint:
      'The cloud serves it from firmware/esp32-tflm/release: publish a build with npx signalcraft flash --build <build> --write-manifest --out firmware/esp32-tflm/release.',
    openDashboard: 'Open the dashboard',
    baud: 'Speed',
    baudHint: 'Lower it if flashing times out.',
    install: 'Connect and install',
    provisionOnly: 'Already installed: provision only',
    step1: '1. Install',
    step2: '2. Wi-Fi and cloud',
    step3: '3. Serial monitor',
    connecting: 'Connecting to the bootloader…',
    writing: 'Writing',
    verified: 'Written and verified.',
    done: 'Installed. The board restarted into Signalcraft.',
    failed: 'Installation failed',
    retryLower: 'Retry at {baud} baud',
    ssid: 'Wi-Fi network',
    password: 'Wi-Fi password',
    scan: 'Scan',
    cloudUrl: 'Cloud URL',
    token: 'Device token',
    tokenHint: 'Shown once when you registered the device in the dashboard.',
    provision: 'Send to device',
    provisioning: 'Sending settings…',
    provisioned: 'Device is online: Wi-Fi connected and cloud set.',
    provisionFailed: 'Provisioning failed',
    device: 'Device',
    monitor: 'Device output',
    clear: 'Clear',
    cancelled: 'No port was chosen.',
    hintHoldBoot: 'Hold BOOT, tap EN/RST, release BOOT, then retry.',
    hintPortBusy: 'The serial port is in use. Close other programs or browser tabs using it (Arduino, IDF monitor), then retry.',
    hintTimeout: 'The USB-serial driver timed out. Retry at a lower speed.',
    hintVerify: 'What was written does not match the image. Use a shorter or better USB cable and a lower speed.',
    hintOther: 'Unplug and replug the board, then retry. If it keeps failing, use 115200.',
    improvUnableToConnect: 'The device could not join that Wi-Fi network. Check the name and password (2.4 GHz only).',
    improvInvalid: 'The device rejected the settings. Check the cloud URL (http:// or https://) and the token.',
    improvTimeout: 'The device did not answer. Is the Signalcraft firmware installed and running? Press EN/RST and retry.',
  },
  ko: {
    title: 'Signalcraft 펌웨어 설치',
    subtitle: 'ESP32에 소리 감시 펌웨어를 설치하고 클라우드에 연결합니다.',
    language: 'English',
    noSerialTitle: '이 브라우저는 시리얼 포트를 사용할 수 없습니다',
    noSerialBody:
      'Web Serial은 컴퓨터의 Chrome, Edge, Opera에서만 동작합니다. Safari, Firefox와 대부분의 휴대폰은 지원하지 않습니다. Chrome이 있는 컴퓨터를 쓰거나 명령줄을 사용하세요: npx signalcraft flash --port <포트> --manifest <manifest.json>.',
    insecure: 'Web Serial은 보안 페이지(https 또는 localhost)에서만 동작합니다.',
    firmware: '펌웨어',
    loadingManifest: '펌웨어 목록을 불러오는 중…',
    manifestFailed: '펌웨어 매니페스트를 불러오지 못했습니다',
    manifestHint:
      '클라우드는 firmware/esp32-tflm/release 폴더에서 제공합니다. npx signalcraft flash --build <빌드 폴더> --write-manifest --out firmware/esp32-tflm/release 로 빌드를 게시하세요.',
    openDashboard: '대시보드 열기',
    baud: '속도',
    baudHint: '설치 중 시간 초과가 나면 낮추세요.',
    install: '연결하고 설치',
    provisionOnly: '이미 설치됨: 설정만 보내기',
    step1: '1. 설치',
    step2: '2. Wi-Fi와 클라우드',
    step3: '3. 시리얼 모니터',
    connecting: '부트로더에 연결하는 중…',
    writing: '쓰는 중',
    verified: '쓰기와 검증을 마쳤습니다.',
    done: '설치 완료. 보드가 Signalcraft로 다시 시작했습니다.',
    failed: '설치 실패',
    retryLower: '{baud} baud로 다시 시도',
    ssid: 'Wi-Fi 네트워크',
    password: 'Wi-Fi 비밀번호',
    scan: '검색',
    cloudUrl: '클라우드 주소',
    token: '장치 토큰',
    tokenHint: '대시보드에서 장치를 등록할 때 한 번만 표시됩니다.',
    provision: '장치로 보내기',
    provisioning: '설정을 보내는 중…',
    provisioned: '장치가 온라인입니다: Wi-Fi 연결, 클라우드 설정 완료.',
    provisionFailed: '설정 실패',
    device: '장치',
    monitor: '장치 출력',
    clear: '지우기',
    cancelled: '포트를 선택하지 않았습니다.',
    hintHoldBoot: 'BOOT 버튼을 누른 채 EN/RST를 눌렀다 떼고, BOOT를 놓은 뒤 다시 시도하세요.',
    hintPortBusy:
      '시리얼 포트를 다른 프로그램이 쓰고 있습니다. 포트를 쓰는 프로그램이나 브라우저 탭(Arduino, IDF 모니터)을 닫고 다시 시도하세요.',
    hintTimeout: 'USB-시리얼 드라이버 응답 시간이 초과되었습니다. 속도를 낮춰 다시 시도하세요.',
    hintVerify: '기록된 내용이 이미지와 다릅니다. 더 짧거나 좋은 USB 케이블을 쓰고 속도를 낮추세요.',
    hintOther: '보드를 뽑았다가 다시 꽂고 시도하세요. 계속 실패하면 115200으로 낮추세요.',
    improvUnableToConnect: '장치가 해당 Wi-Fi에 연결하지 못했습니다. 이름과 비밀번호를 확인하세요(2.4 GHz만 지원).',
    improvInvalid: '장치가 설정을 거부했습니다. 클라우드 주소(http:// 또는 https://)와 토큰을 확인하세요.',
    improvTimeout:
      '장치가 응답하지 않습니다. Signalcraft 펌웨어가 설치되어 실행 중인지 확인하고 EN/RST를 누른 뒤 다시 시도하세요.',
  },
} as const;

export type Locale = keyof typeof MESSAGES;
export type MessageKey = keyof (typeof MESSAGES)['en'];

export function pickLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored === 'ko' || stored === 'en') return stored;
  return languages.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const msg: string = MESSAGES[locale][key];
  return msg.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
