// Headless Debian Chromium driven by playwright-core (no browser download), joining roomtone
// over WebRTC with a fake microphone that plays a WAV file.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

const PAGE = `<!doctype html><title>roomtone webrtc test</title><script>
window.rt = {
  async offer() {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const pc = new RTCPeerConnection();
    window.pc = pc;
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    pc.ontrack = (e) => {
      const audio = new Audio();
      audio.srcObject = e.streams[0] || new MediaStream([e.track]);
      audio.play().catch(() => {});
      const ctx = new AudioContext();
      const src = ctx.createMediaStreamSource(audio.srcObject);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      src.connect(analyser);
      window.analyser = analyser;
      window.ctx = ctx;
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 3000);
    });
    return pc.localDescription.sdp;
  },
  async answer(sdp) {
    await pc.setRemoteDescription({ type: 'answer', sdp });
  },
  /** Peak level (dBFS) near each frequency over ms, from the analyser on the received track. */
  async levels(freqs, ms) {
    const a = window.analyser;
    if (!a) return null;
    const bins = new Float32Array(a.frequencyBinCount);
    const best = freqs.map(() => -200);
    const until = performance.now() + ms;
    while (performance.now() < until) {
      a.getFloatFrequencyData(bins);
      freqs.forEach((f, i) => {
        const k = Math.round(f / (window.ctx.sampleRate / a.fftSize));
        for (let j = k - 2; j <= k + 2; j++) best[i] = Math.max(best[i], bins[j]);
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    return best;
  },
  async inboundStats() {
    const report = await pc.getStats();
    for (const s of report.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') return { packetsReceived: s.packetsReceived, totalAudioEnergy: s.totalAudioEnergy, packetsLost: s.packetsLost };
    }
    return null;
  },
  state: () => pc.connectionState,
};
</script>`;

export interface BrowserSession {
  page: Page;
  close(): Promise<void>;
}

/** Serves the test page on 127.0.0.1 (a secure context for getUserMedia) and opens it. */
export async function openBrowser(fakeAudioWav: string): Promise<BrowserSession> {
  const server: Server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fakeAudioWav}`, '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    page,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
