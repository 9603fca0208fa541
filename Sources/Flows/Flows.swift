// Module Flows: see README for its role.
enum FlowsModule {}
