// placeholder until the Kafka wrapper lands
