"""Objects that do not fit their entry-point groups."""

MODEL_NAME = "silero"


class NotAVad:
    def detect(self, audio):
        return 0.0, []


class NotAHandler:
    def determine_pause(self, audio, sampling_rate, state):
        return False
