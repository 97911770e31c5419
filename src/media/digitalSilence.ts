/** True when every sample is zero: a frame with nothing to say (no marker bit, no talkspurt). */
export function isDigitalSilence(frame: Int16Array): boolean {
  for (let i = 0; i < frame.length; i++) if (frame[i] !== 0) return false;
  return true;
}
