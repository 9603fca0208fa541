// Module Amplitudes: see README for its role.
enum AmplitudesModule {}
