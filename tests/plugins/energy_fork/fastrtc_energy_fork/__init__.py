"""A fork of the energy VAD with a lower threshold."""

from fastrtc_energy_vad import EnergyVAD


class ForkedEnergyVAD(EnergyVAD):
    def __init__(self, threshold_db: float = -40.0, **kwargs):
        super().__init__(threshold_db=threshold_db, **kwargs)
