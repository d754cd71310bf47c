"""ember.nn: modules, functional forms, init."""
