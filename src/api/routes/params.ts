// The path parameters of the API's routes, declared once each.
import Type from 'typebox';

const id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

export const AccountParams = Type.Object({ A: id('account id') });
export const ConferenceParams = Type.Object({ A: id('account id'), C: id('conference id') });
export const ParticipantParams = Type.Object({ A: id('account id'), C: id('conference id'), P: id('participant id') });
export const MediaParams = Type.Object({ A: id('account id'), M: id('media id') });
export const RecordingParams = Type.Object({ A: id('account id'), C: id('conference id'), R: id('recording name') });
