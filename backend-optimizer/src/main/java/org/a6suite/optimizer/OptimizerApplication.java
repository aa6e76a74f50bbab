package org.a6suite.optimizer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The a6 backend optimizer service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OptimizerApplication {

    public static void main(String[] args) {
        SpringApplication.run(OptimizerApplication.class, args);
    }
}
