// Module Integrator: see README for its role.
enum IntegratorModule {}
