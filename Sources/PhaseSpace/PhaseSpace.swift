// Module PhaseSpace: see README for its role.
enum PhaseSpaceModule {}
