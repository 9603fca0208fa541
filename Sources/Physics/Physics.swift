// Module Physics: see README for its role.
enum PhysicsModule {}
